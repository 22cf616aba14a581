"""One module per constraint family; each `add(m, sets)` names its equation in docs/formulation.md.

Each family module declares the data it shares through the model: `PROVIDES`, the model
attributes (variables, expressions, index lists) it adds for other families besides its own
constraints, and `NEEDS`, those of other families (or of the base that model/build.py declares,
`BASE`) it reads. model/build.py builds the families in an order these declarations allow and
checks each family adds what it provides; tests/test_registry.py checks, by reading each
module's source, that a family reads no other family's attribute it has not declared.
"""
