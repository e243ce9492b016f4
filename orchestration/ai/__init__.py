"""AI layer as assets: insights, client reports (files and e-mail) and knowledge-base embeddings (assistants/)."""
