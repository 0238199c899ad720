from tests import builders


def test_tree_builds_with_paths(db):
    t = builders.tree()
    assert t.building.path.startswith(t.community.path)
    assert t.city.contains(t.building)
    assert not t.sibling.contains(t.building)
