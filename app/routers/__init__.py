"""HTTP routes: parse, call one store or analytics function, return."""
