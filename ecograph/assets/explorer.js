// The network explorer of report.html and notebooks (ecograph/explorer.py embeds it inline and calls
// ecographExplorer(id) for each; no libraries, no network). Two views: the communities, where a click
// drills into one community's most central members, and the most central parties by PageRank.
function ecographExplorer(rootId){
var root=document.getElementById(rootId);
root.setAttribute('data-errors','');
window.addEventListener('error',function(e){root.setAttribute('data-errors',(root.getAttribute('data-errors')||'')+e.message+';');});
var D=JSON.parse(document.getElementById(rootId+'-data').textContent);
var svg=root.querySelector('svg'), NS=svg.namespaceURI, card=root.querySelector('.card');
var status=root.querySelector('.status'), legend=root.querySelector('.legend');
var palette=['#1f77b4','#ff7f0e','#2ca02c','#d62728','#9467bd','#8c564b','#e377c2','#7f7f7f','#bcbd22','#17becf'];
var colour={}; D.communities.forEach(function(c,i){colour[String(c[0])]=palette[i%10];});  // as the table's figure
function fill(c){return colour[String(c)]||'#bbbbbb';}
var W=1000, H=560, N=D.nodes, G=D.groups;
var neighbours=N.map(function(){return [];});
D.edges.forEach(function(e){neighbours[e[0]].push(e[1]);neighbours[e[1]].push(e[0]);});
var topNodes=[]; N.forEach(function(n,j){if(n.x!==null)topNodes.push(j);});
var biggest=Math.max.apply(null,G.map(function(q){return q.size;}).concat([1]));
var mostTies=Math.max.apply(null,D.ties.map(function(t){return t[2];}).concat([1]));
var mode=D.view, group=null, focused=null;
var view={x:0,y:0,k:1}, g=document.createElementNS(NS,'g'); svg.appendChild(g);
svg.setAttribute('viewBox','0 0 '+W+' '+H);
var items=[], lines=[], texts=[];  // what is drawn now
function count(v){return Number(v).toLocaleString('en');}
function plural(v,one,many){return count(v)+' '+(v===1?one:many);}
function fmt(v){return v===null||v===undefined?'–':(typeof v==='number'?(Math.abs(v)<0.01&&v!==0?v.toExponential(2):v.toFixed(3)):v);}
function esc(s){return String(s).replace(/[&<>"']/g,function(ch){return {'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'}[ch];});}
function scaler(pts,pad){  // layout coordinates to the drawing, filling it but a margin
  var xs=pts.map(function(p){return p[0];}), ys=pts.map(function(p){return p[1];});
  var x0=Math.min.apply(null,xs.concat([0])), x1=Math.max.apply(null,xs.concat([1]));
  var y0=Math.min.apply(null,ys.concat([0])), y1=Math.max.apply(null,ys.concat([1]));
  return function(p){return [pad+(p[0]-x0)/((x1-x0)||1)*(W-2*pad), pad+(p[1]-y0)/((y1-y0)||1)*(H-2*pad)];};}
function draw(name,attrs){var e=document.createElementNS(NS,name);for(var a in attrs)e.setAttribute(a,attrs[a]);g.appendChild(e);return e;}
function label(p,text,size,dx){var t=draw('text',{x:p[0]+dx,y:p[1],'font-size':size,'text-anchor':dx?'start':'middle',
  'dominant-baseline':'central','pointer-events':'none',fill:'#222'});t.textContent=text;texts.push({el:t,size:size});return t;}
function hover(e,html){e.addEventListener('mousemove',function(ev){card.innerHTML=html();
  var r=root.getBoundingClientRect();card.style.left=(ev.clientX-r.left+12)+'px';card.style.top=(ev.clientY-r.top+12)+'px';
  card.style.display='block';});
  e.addEventListener('mouseleave',function(){card.style.display='none';});}
function kinds(q){return Object.keys(q.kinds).map(function(k){return plural(q.kinds[k],k,k+'s');}).join(', ');}
function nodeCard(n){return '<b>'+esc(n.name||n.id)+'</b> ('+esc(n.id)+')<br>'+esc(n.kind)+(n.type?' · '+esc(n.type):'')+
  (n.region?' · '+esc(n.region):'')+'<br>community '+(n.community===null?'–':n.community)+'<br>PageRank '+fmt(n.pagerank)+
  '<br>betweenness '+fmt(n.betweenness)+'<br>relationships '+count(n.degree);}
function groupCard(q){var names=q.members.slice(0,3).map(function(j){return esc(N[j].name||N[j].id);});
  return '<b>community '+q.c+'</b><br>'+plural(q.size,'member','members')+(kinds(q)?': '+kinds(q):'')+
  '<br>most central: '+names.join(', ')+'<br>click to see '+(q.members.length<q.size?'its '+count(q.members.length)+
  ' most central members':'its members');}
function shownNodes(){return mode==='top'?topNodes:(mode==='community'?G[group].members:[]);}
function place(j){var n=N[j];return mode==='top'?[n.x,n.y]:[n.mx,n.my];}
function render(){  // draw the current view afresh
  while(g.firstChild)g.removeChild(g.firstChild);
  items=[];lines=[];texts=[];card.style.display='none';
  root.setAttribute('data-view',mode);root.setAttribute('data-community',mode==='community'?G[group].c:'');
  selects.view.value=mode==='top'?'top':'communities';
  if(mode==='communities'){
    var at=scaler(G.map(function(q){return [q.x,q.y];}),45);
    D.ties.forEach(function(t){var a=at([G[t[0]].x,G[t[0]].y]), b=at([G[t[1]].x,G[t[1]].y]);
      lines.push({el:draw('line',{x1:a[0],y1:a[1],x2:b[0],y2:b[1],stroke:'#999','stroke-opacity':0.4}),w:0.5+8*t[2]/mostTies});});
    G.forEach(function(q,k){var p=at([q.x,q.y]), r=6+34*Math.sqrt(q.size/biggest);
      var e=draw('circle',{cx:p[0],cy:p[1],r:r,fill:fill(q.c),stroke:'#fff','data-community':q.c,cursor:'pointer'});
      hover(e,function(){return groupCard(q);});
      e.addEventListener('click',function(ev){ev.stopPropagation();drill(k);});
      items.push({el:e,r:r,k:k,ring:'#fff',width:1});label(p,String(q.c),r>14?11:8,0);});
  } else {
    var js=shownNodes(), at2=scaler(js.map(place),mode==='top'?30:60), on={};
    var most=Math.max.apply(null,js.map(function(j){return N[j].pagerank;}).concat([1e-12]));
    js.forEach(function(j){on[j]=1;});
    D.edges.forEach(function(e){if(!on[e[0]]||!on[e[1]])return;var a=at2(place(e[0])), b=at2(place(e[1]));
      lines.push({el:draw('line',{x1:a[0],y1:a[1],x2:b[0],y2:b[1],stroke:'#999','stroke-opacity':0.3}),w:0.6,a:e[0],b:e[1]});});
    js.forEach(function(j,rank){var n=N[j], p=at2(place(j)), r=3+14*Math.sqrt(n.pagerank/most);
      var partner=n.kind==='partner', ring=partner?'#333':'#fff', width=partner?1.2:0.5;
      var e=draw('circle',{cx:p[0],cy:p[1],r:r,fill:fill(n.community),stroke:ring,'stroke-width':width,'data-id':n.id});
      hover(e,function(){return nodeCard(n);});
      e.addEventListener('click',function(ev){ev.stopPropagation();focused=(focused===j)?null:j;redraw();});
      var it={el:e,r:r,j:j,ring:ring,width:width};
      if(mode==='community'&&rank<8)it.text=label(p,n.name||n.id,9,r+2);  // the most central of each kind
      items.push(it);});
  }
  drawLegend();view={x:0,y:0,k:1};apply();redraw();}
function drill(k){mode='community';group=k;focused=null;render();}
var selects={view:root.querySelector('[name=view]'),kind:root.querySelector('[name=kind]'),
  region:root.querySelector('[name=region]'),community:root.querySelector('[name=community]')};
var filters=['kind','region','community'];
function options(sel,key){var seen={};N.forEach(function(n){var v=n[key];if(v!==null&&v!=='')seen[v]=1;});
  Object.keys(seen).sort(function(a,b){return (+a)-(+b)||(a<b?-1:(a>b?1:0));}).forEach(function(v){
    var o=document.createElement('option');o.value=v;o.textContent=v;sel.appendChild(o);});}
filters.forEach(function(key){options(selects[key],key);});
function visible(j){var n=N[j];
  for(var f=0;f<filters.length;f++){var v=selects[filters[f]].value;if(v!==''&&String(n[filters[f]])!==v)return false;}
  if(focused!==null&&j!==focused&&neighbours[focused].indexOf(j)<0)return false;
  return true;}
function redraw(){var shown=0, on={};
  items.forEach(function(it){if(it.j===undefined)return;var v=visible(it.j);it.el.style.display=v?'':'none';
    if(it.text)it.text.style.display=v?'':'none';if(v){shown++;on[it.j]=1;}});
  lines.forEach(function(l){if(l.a!==undefined)l.el.style.display=(on[l.a]&&on[l.b])?'':'none';});
  var f=focused!==null?'; showing '+(N[focused].name||N[focused].id)+' and its neighbours (click the background to undo)':'';
  if(mode==='top'){status.textContent=shown+' of '+topNodes.length+' parties shown'+(D.total>topNodes.length?' (the '+
    topNodes.length+' most central of '+count(D.total)+')':'')+f;}
  else if(mode==='community'){var q=G[group];status.textContent='community '+q.c+': showing '+count(q.members.length)+
    ' of '+plural(q.size,'member','members')+(q.members.length<q.size?' (the most central of each kind by PageRank)':'')+
    (kinds(q)?'; in all '+kinds(q):'')+'; '+shown+' drawn'+f+'. Click the background to go back to the communities.';}
  else if(!G.length){status.textContent='no community of two or more parties: choose "most central parties"';}
  else{status.textContent=(D.many>G.length?'the '+G.length+' largest of '+count(D.many)+' communities':'all '+
    plural(G.length,'community','communities'))+' of two or more parties, of '+plural(D.total,'party','parties')+
    (D.alone?' ('+plural(D.alone,'party','parties')+' alone in a community of one not drawn)':'')+
    '. Click a community to see its members.';}}
function drawLegend(){legend.innerHTML='';
  D.communities.forEach(function(c){var s=document.createElement('span');
    s.innerHTML='<i style="background:'+fill(c[0])+'"></i>community '+esc(c[0])+' ('+count(c[1])+')';legend.appendChild(s);});
  var note=document.createElement('span');
  note.innerHTML='<i style="background:#bbbbbb"></i>smaller communities · '+(mode==='communities'?
    'size = members, line width = relationships between communities':'size = PageRank, dark ring = partner');
  legend.appendChild(note);}
function apply(){g.setAttribute('transform','translate('+view.x+','+view.y+') scale('+view.k+')');
  var f=1/Math.sqrt(view.k);  // dots grow slower than the zoom, so a cluster opens up
  items.forEach(function(it){it.el.setAttribute('r',it.r*f);});
  lines.forEach(function(l){l.el.setAttribute('stroke-width',l.w/view.k);});
  texts.forEach(function(t){t.el.setAttribute('font-size',t.size/view.k);});}
svg.addEventListener('wheel',function(ev){ev.preventDefault();var f=ev.deltaY<0?1.2:1/1.2, r=svg.getBoundingClientRect();
  var mx=(ev.clientX-r.left)*W/r.width, my=(ev.clientY-r.top)*H/r.height;
  view.x=mx-(mx-view.x)*f;view.y=my-(my-view.y)*f;view.k*=f;apply();},{passive:false});
var drag=null;
svg.addEventListener('mousedown',function(ev){drag={x:ev.clientX,y:ev.clientY,vx:view.x,vy:view.y,moved:false};});
window.addEventListener('mousemove',function(ev){if(!drag)return;var r=svg.getBoundingClientRect();
  var dx=(ev.clientX-drag.x)*W/r.width, dy=(ev.clientY-drag.y)*H/r.height;
  if(Math.abs(dx)+Math.abs(dy)>2)drag.moved=true;view.x=drag.vx+dx;view.y=drag.vy+dy;apply();});
window.addEventListener('mouseup',function(){setTimeout(function(){drag=null;},0);});
svg.addEventListener('click',function(){if(drag&&drag.moved)return;
  if(focused!==null){focused=null;redraw();}else if(mode==='community'){mode='communities';render();}});
selects.view.addEventListener('change',function(){mode=selects.view.value;focused=null;render();});
selects.kind.addEventListener('change',redraw);selects.region.addEventListener('change',redraw);
selects.community.addEventListener('change',function(){var c=selects.community.value, k=-1;
  G.forEach(function(q,i){if(String(q.c)===c)k=i;});
  if(mode!=='top'&&k>=0)drill(k);else redraw();});
var box=root.querySelector('[name=search]');
function search(q){q=(q||'').trim().toLowerCase();
  items.forEach(function(it){it.el.setAttribute('stroke',it.ring);it.el.setAttribute('stroke-width',it.width);});
  if(!q){root.setAttribute('data-found','');redraw();return null;}
  var hit=-1;N.forEach(function(n,j){if(hit<0&&(n.id.toLowerCase()===q))hit=j;});
  if(hit<0)N.forEach(function(n,j){if(hit<0&&(n.name.toLowerCase().indexOf(q)>=0||n.id.toLowerCase().indexOf(q)>=0))hit=j;});
  if(hit<0){root.setAttribute('data-found','');status.textContent='no party matches "'+q+'" among the '+
    count(N.length)+' in the explorer';return null;}
  var n=N[hit];
  if(shownNodes().indexOf(hit)<0){if(n.g!==null){mode='community';group=n.g;}else{mode='top';}render();}
  var it=items.filter(function(x){return x.j===hit;})[0], p=[+it.el.getAttribute('cx'),+it.el.getAttribute('cy')];
  it.el.setAttribute('stroke','#000');it.el.setAttribute('stroke-width','3');
  view.k=3;view.x=W/2-p[0]*view.k;view.y=H/2-p[1]*view.k;apply();focused=hit;redraw();
  root.setAttribute('data-found',n.id);return n;}
box.addEventListener('keydown',function(ev){if(ev.key==='Enter')search(box.value);});
root.querySelector('[name=go]').addEventListener('click',function(){search(box.value);});
root.querySelector('[name=reset]').addEventListener('click',function(){focused=null;box.value='';
  filters.forEach(function(key){selects[key].value='';});mode=D.view;group=null;render();});
render();
var m=/[#&]search=([^&]*)/.exec(location.hash);if(m){box.value=decodeURIComponent(m[1]);search(box.value);}
root.setAttribute('data-ready-ms',Math.round(performance.now()));
root.setAttribute('data-ready','1');
}
