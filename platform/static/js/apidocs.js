// Starts Swagger UI from local assets (the page's CSP allows no inline script).
window.addEventListener("DOMContentLoaded", function () {
  var el = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({ url: el.dataset.specUrl, domNode: el, deepLinking: true,
    presets: [window.SwaggerUIBundle.presets.apis], layout: "BaseLayout" });
});
