using Azure.Core;
using Azure.Identity;
using Npgsql;

namespace Mirc.Grains.Indexing;

/// <summary>
/// Builds the data sources of the archive's PostgreSQL database (query index, audit trail, change feed). With Entra ID
/// authentication no password is stored anywhere: each new physical connection logs in with an access token of the
/// silo's identity, fetched again periodically (tokens live about an hour; Azure.Identity caches and renews them).
/// </summary>
public static class PostgresDataSources
{
    /// <summary>Token scope of Azure Database for PostgreSQL.</summary>
    public const string EntraIdScope = "https://ossrdbms-aad.database.windows.net/.default";

    // One credential per process: its token cache is shared by the three data sources.
    private static readonly Lazy<TokenCredential> Default = new(() => new DefaultAzureCredential());

    /// <summary>The credential for <paramref name="authentication"/>: DefaultAzureCredential for Entra ID, else null.</summary>
    public static TokenCredential? CredentialFor(PostgresAuthentication authentication) =>
        authentication == PostgresAuthentication.EntraId ? Default.Value : null;

    /// <summary>The authentication named in <c>Mirc:Index:PostgresAuthentication</c> (unset: Password).</summary>
    public static PostgresAuthentication Parse(string? value) =>
        string.IsNullOrWhiteSpace(value) ? PostgresAuthentication.Password
        : Enum.TryParse<PostgresAuthentication>(value, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) ? parsed
        : throw new InvalidOperationException($"Mirc:Index:PostgresAuthentication '{value}' is not supported (Password, EntraId).");

    /// <summary>A data source for <paramref name="connectionString"/>; with <paramref name="entraId"/>, its tokens are the password.</summary>
    public static NpgsqlDataSource Create(string connectionString, TokenCredential? entraId) =>
        Create(connectionString, entraId, TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(10));

    internal static NpgsqlDataSource Create(string connectionString, TokenCredential? entraId, TimeSpan refreshInterval, TimeSpan retryInterval)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        if (entraId is not null)
        {
            var request = new TokenRequestContext([EntraIdScope]);
            builder.UsePeriodicPasswordProvider(
                async (_, cancellationToken) => (await entraId.GetTokenAsync(request, cancellationToken).ConfigureAwait(false)).Token,
                refreshInterval, retryInterval);
        }

        return builder.Build();
    }
}
