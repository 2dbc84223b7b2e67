"""Text search with the database's own engine (indexes created by migration 0002).

SQLite: the item's FTS5 table, prefix match on every word (or on the words glued together), ranked by
bm25. PostgreSQL: the same words as a 'simple' tsquery with prefixes (GIN index on the tsvector), plus
pg_trgm word similarity (GIN trigram index) so that a typo still finds the item; ranked by ts_rank.
Both return a subquery `(item_id, score)`, higher score = better match, to join the item table with."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Boolean,
    Float,
    String,
    Subquery,
    column,
    func,
    literal,
    literal_column,
    or_,
    select,
    text,
)
from sqlalchemy.ext.asyncio import AsyncSession

from phuket.catalog import text as search_text


def match_subquery(session: AsyncSession, model: Any, q: str) -> Subquery | None:
    """`(item_id, score)` of the items whose search text matches `q`; None when `q` has no words."""
    table = model.__tablename__
    if session.get_bind().dialect.name == "sqlite":
        expression = search_text.fts5_query(q)
        if expression is None:
            return None
        # rowid joins the external-content FTS table to its item table; bm25 is lower-is-better.
        fts = text(
            f"SELECT {table}.id AS item_id, -bm25({table}_fts) AS score "  # noqa: S608 - fixed table names
            f"FROM {table}_fts JOIN {table} ON {table}.rowid = {table}_fts.rowid "
            f"WHERE {table}_fts MATCH :fts_query"
        ).bindparams(fts_query=expression)
        return fts.columns(column("item_id", String), column("score", Float)).subquery(f"{table}_match")

    tsq = search_text.tsquery(q)
    if tsq is None:
        return None
    normalized = search_text.normalize(q)
    vector = func.to_tsvector(literal_column("'simple'"), model.search_text)
    query = func.to_tsquery(literal_column("'simple'"), literal(tsq))
    similar = func.word_similarity(literal(normalized), model.search_text)
    matches_words = vector.op("@@", return_type=Boolean)(query)
    # `<%`: word_similarity above pg_trgm.word_similarity_threshold (0.6), served by the trigram index.
    misspelt = literal(normalized).op("<%", return_type=Boolean)(model.search_text)
    return (
        select(model.id.label("item_id"), (func.ts_rank(vector, query) + similar).label("score"))
        .where(or_(matches_words, misspelt))
        .subquery(f"{table}_match")
    )
