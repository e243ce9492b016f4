"""Agency workspace: roles and permissions, clients, ad-account credentials, user lifecycle (issue 13)."""
