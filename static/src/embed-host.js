/* incidentmap embeds: served as /embed.js for the pages that frame /embed.
   Each embed posts {type: "incidentmap:height", height} to its parent; this
   sets the height of the iframe that sent it. Include it once per page:
   <script async src="https://MAP-SERVER/embed.js"></script> */
(function () {
  var script = document.currentScript, origin = script && script.src ? new URL(script.src).origin : '';
  addEventListener('message', function (e) {
    var d = e.data, frames = document.getElementsByTagName('iframe');
    if (!d || d.type !== 'incidentmap:height' || (origin && e.origin !== origin)) return;
    var h = Math.round(Number(d.height));
    if (!(h > 0 && h < 10000)) return;
    for (var i = 0; i < frames.length; i++) {
      if (frames[i].contentWindow === e.source) frames[i].style.height = h + 'px';
    }
  });
})();
