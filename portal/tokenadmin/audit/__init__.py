"""The audit trail's pages (/admin/audit/, URL namespace `audit`). The trail itself, the model and
the one recording function, is portal.audit, a layer below: every area records, only the admin area
reads."""
