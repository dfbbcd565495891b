// Starts Swagger UI on /docs from the portal's own copy (vendor/swagger-ui). The address of the
// OpenAPI document comes from the page, so no inline script is needed.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  if (!root || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  window.ui = window.SwaggerUIBundle({
    url: root.getAttribute("data-openapi-url"),
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    // No call to the public validator at validator.swagger.io: the docs stay offline.
    validatorUrl: null,
    presets: [window.SwaggerUIBundle.presets.apis],
  });
})();
