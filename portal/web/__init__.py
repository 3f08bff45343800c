"""Web plumbing the feature apps share (selfservice, tokenadmin, imports): the request type, access
rules, admin page rendering, the session-lifetime middleware. It knows no feature app."""
