"""Every spec of an organization-year archive: strategies' levels and scoring's (grade bands,
score sheet, dimension scores), read off the whole tree (scoring/plan_tree.py).

Passed to strategies.backup by the backup and restore commands.
"""

from scoring import plan_tree
from strategies.backup.specs import Spec, specs_for

ALL_SPECS: list[Spec] = specs_for(plan_tree.TREE)
