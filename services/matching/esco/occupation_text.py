"""Which ESCO occupations an order's description of the work reads like.

A job title alone is often ambiguous: "udvikler" is in Danish ESCO only an alternative label of
"bygherre" (a property developer), "maler" of "kunstmaler" before "bygningsmaler", and
"vejarbejder" of three road occupations. The order's text ("Du skal udvikle software,
programmere og teste programmer") says which one the company means. Each occupation is
described by its labels and its essential skills' labels; the text is compared with those
descriptions by character n-gram TF-IDF, which copes with Danish compounds and inflection
("gaffeltruck" ~ "betjene gaffeltruck", "facader" ~ "facade").
"""

from __future__ import annotations

import numpy as np

from services.matching.esco.catalog import Catalog
from services.matching.esco.titles import key_of


class OccupationDescriptions:
    def __init__(self, catalog: Catalog) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        docs = []
        for occ in catalog.occupations:
            parts = [*occ.labels, *(catalog.skills[s].label for s in occ.essential)]
            docs.append("\n".join(key_of(p) for p in parts))
        # n-grams shared by a third of all occupations ("medarbejder", "arbejde") tell none apart.
        self.vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(4, 5), sublinear_tf=True,
                                          min_df=2, max_df=0.3, dtype=np.float32)
        self.matrix = self.vectorizer.fit_transform(docs).T.tocsr()

    def similarity(self, text: str) -> np.ndarray:
        """Cosine of `text` with every occupation's description (by occupation id), in [0, 1]."""
        q = self.vectorizer.transform([key_of(text)])
        return np.asarray((q @ self.matrix).todense(), dtype=np.float32).ravel()
