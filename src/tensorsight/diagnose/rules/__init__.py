"""Stage 3, crash findings: the failing op and its slice (crash), the crash rules by theme (table:
batch, data, layers, sharding). Their fixes go through the repair search (../repair) like any candidate."""
