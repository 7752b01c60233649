"""Index backends on the writing side: where documents are stored."""
