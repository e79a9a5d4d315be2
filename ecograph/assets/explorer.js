// The network explorer of report.html and notebooks (ecograph/explorer.py embeds it inline and calls
// ecographExplorer(id) for each; no libraries, no network).
function ecographExplorer(rootId){
var root=document.getElementById(rootId);
root.setAttribute('data-errors','');
window.addEventListener('error',function(e){root.setAttribute('data-errors',(root.getAttribute('data-errors')||'')+e.message+';');});
var D=JSON.parse(document.getElementById(rootId+'-data').textContent);
var svg=root.querySelector('svg'), NS=svg.namespaceURI, card=root.querySelector('.card');
var status=root.querySelector('.status');
var palette=['#1f77b4','#ff7f0e','#2ca02c','#d62728','#9467bd','#8c564b','#e377c2','#7f7f7f','#bcbd22','#17becf'];
var colour={}, i=0; for(var c in D.communities){colour[c]=palette[i++%10];}
function fill(n){return colour[String(n.community)]||'#bbbbbb';}
var xs=D.nodes.map(function(n){return n.x;}), ys=D.nodes.map(function(n){return n.y;});
var minx=Math.min.apply(null,xs.concat([0])), maxx=Math.max.apply(null,xs.concat([1]));
var miny=Math.min.apply(null,ys.concat([0])), maxy=Math.max.apply(null,ys.concat([1]));
var W=1000, H=560, pad=30;
function px(n){return pad+(n.x-minx)/((maxx-minx)||1)*(W-2*pad);}
function py(n){return pad+(n.y-miny)/((maxy-miny)||1)*(H-2*pad);}
var maxpr=Math.max.apply(null,D.nodes.map(function(n){return n.pagerank;}).concat([1e-12]));
var view={x:0,y:0,k:1}, g=document.createElementNS(NS,'g'); svg.appendChild(g);
svg.setAttribute('viewBox','0 0 '+W+' '+H);
var neighbours=D.nodes.map(function(){return [];});
var radius=D.nodes.map(function(n){return 3+14*Math.sqrt(n.pagerank/maxpr);});
var lines=D.edges.map(function(e){
  var l=document.createElementNS(NS,'line'), a=D.nodes[e[0]], b=D.nodes[e[1]];
  l.setAttribute('x1',px(a));l.setAttribute('y1',py(a));l.setAttribute('x2',px(b));l.setAttribute('y2',py(b));
  l.setAttribute('stroke','#999');l.setAttribute('stroke-opacity','0.25');l.setAttribute('stroke-width','0.6');
  neighbours[e[0]].push(e[1]);neighbours[e[1]].push(e[0]);g.appendChild(l);return l;});
var dots=D.nodes.map(function(n,j){
  var c=document.createElementNS(NS,'circle');
  c.setAttribute('cx',px(n));c.setAttribute('cy',py(n));c.setAttribute('r',radius[j]);
  c.setAttribute('fill',fill(n));c.setAttribute('stroke','#fff');c.setAttribute('stroke-width','0.5');
  c.setAttribute('data-id',n.id);
  c.addEventListener('mousemove',function(ev){show(n,ev);});
  c.addEventListener('mouseleave',function(){card.style.display='none';});
  c.addEventListener('click',function(ev){ev.stopPropagation();focus(j);});
  g.appendChild(c);return c;});
function fmt(v){return v===null||v===undefined?'–':(typeof v==='number'?(Math.abs(v)<0.01&&v!==0?v.toExponential(2):v.toFixed(3)):v);}
function esc(s){return String(s).replace(/[&<>"']/g,function(ch){return {'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'}[ch];});}
function show(n,ev){
  card.innerHTML='<b>'+esc(n.name||n.id)+'</b> ('+esc(n.id)+')<br>'+esc(n.kind)+(n.type?' · '+esc(n.type):'')+
   (n.region?' · '+esc(n.region):'')+'<br>community '+fmt(n.community)+'<br>PageRank '+fmt(n.pagerank)+
   '<br>betweenness '+fmt(n.betweenness)+'<br>relationships '+n.degree;
  var r=root.getBoundingClientRect();card.style.left=(ev.clientX-r.left+12)+'px';card.style.top=(ev.clientY-r.top+12)+'px';
  card.style.display='block';}
var selects={kind:root.querySelector('[name=kind]'),region:root.querySelector('[name=region]'),community:root.querySelector('[name=community]')};
function options(sel,key){var seen={};D.nodes.forEach(function(n){var v=n[key];if(v!==null&&v!=='')seen[v]=1;});
  Object.keys(seen).sort().forEach(function(v){var o=document.createElement('option');o.value=v;o.textContent=v;sel.appendChild(o);});}
options(selects.kind,'kind');options(selects.region,'region');options(selects.community,'community');
var focused=null;
function visible(n,j){
  for(var key in selects){var v=selects[key].value;if(v!==''&&String(n[key])!==v)return false;}
  if(focused!==null&&j!==focused&&neighbours[focused].indexOf(j)<0)return false;
  return true;}
function redraw(){var shown=0;
  D.nodes.forEach(function(n,j){var on=visible(n,j);dots[j].style.display=on?'':'none';if(on)shown++;});
  D.edges.forEach(function(e,k){lines[k].style.display=(dots[e[0]].style.display===''&&dots[e[1]].style.display==='')?'':'none';});
  status.textContent=shown+' of '+D.nodes.length+' parties shown'+(D.total>D.nodes.length?' (the '+D.nodes.length+' most central of '+D.total.toLocaleString('en')+')':'')+
   (focused!==null?'; showing '+(D.nodes[focused].name||D.nodes[focused].id)+' and its neighbours (click the background to undo)':'');}
function focus(j){focused=(focused===j)?null:j;redraw();}
for(var key in selects){selects[key].addEventListener('change',redraw);}
function apply(){g.setAttribute('transform','translate('+view.x+','+view.y+') scale('+view.k+')');
  var f=1/Math.sqrt(view.k);  // dots grow slower than the zoom, so a cluster opens up
  dots.forEach(function(d,j){d.setAttribute('r',radius[j]*f);});
  lines.forEach(function(l){l.setAttribute('stroke-width',0.6/view.k);});}
svg.addEventListener('wheel',function(ev){ev.preventDefault();var f=ev.deltaY<0?1.2:1/1.2, r=svg.getBoundingClientRect();
  var mx=(ev.clientX-r.left)*W/r.width, my=(ev.clientY-r.top)*H/r.height;
  view.x=mx-(mx-view.x)*f;view.y=my-(my-view.y)*f;view.k*=f;apply();},{passive:false});
var drag=null;
svg.addEventListener('mousedown',function(ev){drag={x:ev.clientX,y:ev.clientY,vx:view.x,vy:view.y,moved:false};});
window.addEventListener('mousemove',function(ev){if(!drag)return;var r=svg.getBoundingClientRect();
  var dx=(ev.clientX-drag.x)*W/r.width, dy=(ev.clientY-drag.y)*H/r.height;
  if(Math.abs(dx)+Math.abs(dy)>2)drag.moved=true;view.x=drag.vx+dx;view.y=drag.vy+dy;apply();});
window.addEventListener('mouseup',function(){setTimeout(function(){drag=null;},0);});
svg.addEventListener('click',function(){if(drag&&drag.moved)return;if(focused!==null){focused=null;redraw();}});
var box=root.querySelector('[name=search]');
function search(q){q=(q||'').trim().toLowerCase();dots.forEach(function(d){d.setAttribute('stroke','#fff');d.setAttribute('stroke-width','0.5');});
  if(!q){root.setAttribute('data-found','');redraw();return null;}
  var hit=-1;D.nodes.forEach(function(n,j){if(hit<0&&(n.id.toLowerCase()===q))hit=j;});
  if(hit<0)D.nodes.forEach(function(n,j){if(hit<0&&(n.name.toLowerCase().indexOf(q)>=0||n.id.toLowerCase().indexOf(q)>=0))hit=j;});
  if(hit<0){root.setAttribute('data-found','');status.textContent='no party matches "'+q+'" among those drawn';return null;}
  var n=D.nodes[hit], d=dots[hit];d.setAttribute('stroke','#000');d.setAttribute('stroke-width','3');
  view.k=3;view.x=W/2-px(n)*view.k;view.y=H/2-py(n)*view.k;apply();focused=hit;redraw();
  root.setAttribute('data-found',n.id);return n;}
box.addEventListener('keydown',function(ev){if(ev.key==='Enter')search(box.value);});
root.querySelector('[name=go]').addEventListener('click',function(){search(box.value);});
root.querySelector('[name=reset]').addEventListener('click',function(){focused=null;box.value='';
  for(var key in selects)selects[key].value='';view={x:0,y:0,k:1};apply();search('');});
var legend=root.querySelector('.legend');
Object.keys(D.communities).forEach(function(c){var s=document.createElement('span');
  s.innerHTML='<i style="background:'+colour[c]+'"></i>community '+esc(c)+' ('+D.communities[c]+')';legend.appendChild(s);});
var other=document.createElement('span');other.innerHTML='<i style="background:#bbbbbb"></i>smaller communities · size = PageRank';legend.appendChild(other);
redraw();
var m=/[#&]search=([^&]*)/.exec(location.hash);if(m){box.value=decodeURIComponent(m[1]);search(box.value);}
root.setAttribute('data-ready','1');
}
