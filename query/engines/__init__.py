"""Index backends on the searching side: how a parsed query is run."""
