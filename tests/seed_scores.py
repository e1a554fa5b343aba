"""What the 112 seed's score sheet says (考核結果統計表), as every export and page of it must
print it: one place for the figures the tests of the score sheet, the documents and the
score_sheet command pin."""

# 一 … 五, as printed: 184 / 284 / 182 / 186 / 84.
SEED_DIMENSION_SCORES = ["184", "284", "182", "186", "84"]
SEED_TOTAL, SEED_GRADE, SEED_ASSESSED_MONTH = "920", "優", "113.1"

# The seed's score row: assessing body, (parent), assessed organization, the five scores,
# total, grade, assessment month and the round the report counts.
SEED_SCORE_ROW = [
    "高雄分局",
    "",
    "高雄分局",
    *SEED_DIMENSION_SCORES,
    SEED_TOTAL,
    SEED_GRADE,
    SEED_ASSESSED_MONTH,
    "自評",
]
