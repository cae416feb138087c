import LogAggregation
import LogParsing

/// The family processors, made one way for every reader of inputs (a worker's own, or one per
/// docker-compose service). Each reader then calls the processor's `begin` for its input.
extension AnalysisConfiguration {
    func makeAccessProcessor() -> AccessProcessor {
        AccessProcessor(aggregate: TrafficAggregate(bucketSeconds: bucketSeconds, maxBuckets: maxBuckets,
                                                    pathCapacity: pathCapacity, calendar: BucketCalendar(zone: zone)),
                        zone: zone)
    }

    func makePostgresProcessor(_ format: PostgresFormat) -> PostgresProcessor {
        PostgresProcessor(format: format, bucketSeconds: bucketSeconds, zone: zone)
    }

    func makeApplicationProcessor() -> ApplicationProcessor {
        ApplicationProcessor(bucketSeconds: bucketSeconds, zone: zone)
    }
}
