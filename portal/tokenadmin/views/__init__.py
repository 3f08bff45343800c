"""The admin area's pages: thin views — check the role (decorator), parse the form, call one
service, render or redirect. Every page works without JavaScript; with htmx, lists and forms
answer in place (the `#part` templates) and successful writes redirect with HX-Redirect."""
