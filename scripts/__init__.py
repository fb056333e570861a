"""扎兰屯党建网 generator: records → validate → render → build."""
