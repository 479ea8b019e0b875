"""Joint punishment (联合惩戒): rules, the propagation engine and its persistence."""
