// LogAggregation
