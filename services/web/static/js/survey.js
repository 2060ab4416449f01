// The survey link in the mail (GET /tilfredshed/<token>/<score>) answers nothing by itself, so a
// mail scanner that fetches every link records nothing; a person's browser sends the answer at
// once, so the click in the mail is the only click. Without scripts, the page shows the button.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-survey-autosubmit]");
    if (form && !sessionStorage.getItem("survey-sent:" + location.pathname)) {
      // Once per page: "back" to this page in the history does not send the answer again.
      sessionStorage.setItem("survey-sent:" + location.pathname, "1");
      form.submit();
    }
  });
})();
