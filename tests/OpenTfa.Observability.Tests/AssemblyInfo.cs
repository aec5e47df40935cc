// Meters and activity sources are process-wide: one server at a time keeps every scrape and
// every recorded span about the test that reads it.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
