using Mirc.Testing;
using Mirc.Grains.Indexing;
using Xunit;

namespace Mirc.Grains.Tests.Indexing;

/// <summary>The index contract on a throw-away PostgreSQL cluster (one schema per test).</summary>
public sealed class PostgresQueryIndexTests(PostgresFixture postgres) : QueryIndexContractTests, IClassFixture<PostgresFixture>
{
    protected override async Task<IQueryIndex> CreateIndexAsync() => new PostgresQueryIndex(await postgres.CreateSchemaAsync(), maxBatchSize: 500);
}
