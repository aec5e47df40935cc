using OpenTfa.Testing;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace OpenTfa.MultiNode.Tests.Infrastructure;

/// <summary>
/// One throwaway PostgreSQL server for the tests of a collection; each test creates its own
/// database on it. Tests run one at a time: each starts several server processes, and timings
/// (shutdown, revocation) should not depend on what another test does meanwhile.
/// </summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "PostgreSQL nodes";
}
