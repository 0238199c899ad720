"""No module of yishi imports itself back, however long the way round (README, "Layout": layers that hold).

import-linter's contracts in pyproject.toml keep the layers; its acyclic_siblings contract compares packages, and
the apps of one layer do use each other, so the cycles between single modules are found here. grimp counts the
imports inside functions too: an import moved into a function to dodge a cycle is still a cycle.
"""

import grimp


def test_no_module_imports_itself_back():
    graph = grimp.build_graph("yishi", cache_dir=None)
    cycles = set()
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            back = graph.find_shortest_chain(importer=imported, imported=module)
            if back is not None:
                cycle = (module, *back)
                start = cycle.index(min(cycle[:-1]))  # each cycle once, from its first module by name
                cycles.add(" → ".join((*cycle[start:-1], *cycle[:start], cycle[start])))
    assert not cycles, "import cycles:\n" + "\n".join(sorted(cycles))
