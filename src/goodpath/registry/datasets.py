"""The datasets the registry knows by name besides the imported lists."""

# The engagement parties (companies on the pathway, their subsidiaries and the partner's agencies),
# held as a list of their own so that they have names and ids like any listed party. Its entries are
# not list memberships: screening, breach detection and disclosures leave them out of "listed".
ENGAGEMENT_DATASET = "goodpath-engagement"
