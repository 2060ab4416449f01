"""Pages anyone may read without signing in: the open job ads."""
