import LogAggregation

/// One worker's aggregates, one per format family it met; merged across workers at the end.
struct Sections: Sendable {
    var traffic: TrafficAggregate?
    var postgres: PostgresAggregate?
    var application: ApplicationAggregate?

    mutating func merge(_ other: Sections) {
        if let theirs = other.traffic {
            if traffic == nil { traffic = theirs } else { traffic!.merge(theirs) }
        }
        if let theirs = other.postgres {
            if postgres == nil { postgres = theirs } else { postgres!.merge(theirs) }
        }
        if let theirs = other.application {
            if application == nil { application = theirs } else { application!.merge(theirs) }
        }
    }

    /// Puts the family sections into the analysis (the access section is set at creation).
    func fill(_ analysis: inout Analysis) {
        analysis.postgres = postgres
        analysis.application = application
    }
}
