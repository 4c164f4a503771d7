using Mirc.Testing;
using Mirc.Grains.Indexing;
using Npgsql;
using Xunit;

namespace Mirc.Grains.Tests.Indexing;

/// <summary>The index contract on a throw-away PostgreSQL cluster (one schema per test).</summary>
public sealed class PostgresQueryIndexTests(PostgresFixture postgres) : QueryIndexContractTests, IClassFixture<PostgresFixture>
{
    protected override async Task<IQueryIndex> CreateIndexAsync() => new PostgresQueryIndex(await postgres.CreateSchemaAsync(), maxBatchSize: 500);

    [Fact]
    public async Task A_schema_of_the_previous_release_is_migrated_once_even_by_silos_starting_together()
    {
        var connectionString = await postgres.CreateSchemaAsync();
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync(Ct);
            await using var create = new NpgsqlCommand(LegacyIndexDatabase.PostgresSchema + LegacyIndexDatabase.Seed, connection);
            await create.ExecuteNonQueryAsync(Ct);
        }

        // Two silos start on the old schema at once: the advisory lock lets one migrate, the other sees it done.
        await using var first = new PostgresQueryIndex(connectionString);
        await using var second = new PostgresQueryIndex(connectionString);
        await Task.WhenAll(first.InitializeAsync(Ct), second.InitializeAsync(Ct));
        await LegacyIndexDatabase.AssertMigratedAndUsableAsync(first, Ct);
        Assert.Equal(2, (await second.GetStudyAsync("7.1", Ct))!.NumberOfInstances);

        await using var check = new NpgsqlConnection(connectionString);
        await check.OpenAsync(Ct);
        await using var versions = new NpgsqlCommand("SELECT string_agg(version::text, ',') FROM index_schema_migrations", check);
        Assert.Equal("2", (string?)await versions.ExecuteScalarAsync(Ct));
    }
}
