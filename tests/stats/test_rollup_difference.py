"""A refresh spreads only the rows that changed, so a source's later changes do not cost more as it grows."""

from tests import builders
from tests.stats.test_rollups import tables
from yishi.stats import rebuilding, rollups
from yishi.votes import casting, drafting


def test_difference_counts_rows_as_multisets():
    a, b, c = [1, 24300, "raised", 1], [1, 24300, "resolved", 1], [2, 24301, "raised", 1]
    assert rollups._difference([a, a, b], [a, b, c]) == ([tuple(a)], [tuple(c)])
    assert rollups._difference([a, b], [b, a]) == ([], [])
    assert rollups._difference([], [a, a]) == ([], [tuple(a), tuple(a)])


def test_each_ballot_spreads_one_person_whatever_the_votes_size_and_a_rebuild_agrees(place, monkeypatch):
    reps = [builders.person(f"代表{i}") for i in range(6)]
    for rep in reps:
        builders.role(rep, "representative", place.tree.community)
    vote = drafting.open_vote(
        actor=place.secretary,
        vote=drafting.create_vote(actor=place.secretary, region=place.tree.community, question="是否同意？"),
    )
    spread = []
    real = rollups.spread_people

    def counting(rows, tree, sign, into):
        spread.append(len(rows))
        return real(rows, tree, sign, into)

    monkeypatch.setattr(rollups, "spread_people", counting)
    for rep in reps:
        spread.clear()
        casting.cast_ballot(actor=rep, vote=vote, option="yes")
        assert sum(spread) == 1  # the new participant, not every participant so far twice
    refreshed = tables()
    rebuilding.rebuild()
    assert tables() == refreshed
