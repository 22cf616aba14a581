"""One module per constraint family; each `add(m, sets)` names its equation in docs/formulation.md."""
