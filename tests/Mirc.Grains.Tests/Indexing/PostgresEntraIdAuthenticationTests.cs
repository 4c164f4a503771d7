using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Azure.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Mirc.Grains.Indexing;
using Npgsql;
using Xunit;

namespace Mirc.Grains.Tests.Indexing;

/// <summary>
/// Entra ID login to PostgreSQL: the password each new connection sends is the credential's current token for the
/// PostgreSQL scope, fetched again on refresh. A loopback stand-in server asks for a cleartext password (as Azure
/// Database for PostgreSQL does for Entra tokens, over TLS there) and records what arrives.
/// </summary>
public sealed class PostgresEntraIdAuthenticationTests
{
    [Fact]
    public async Task Each_connection_logs_in_with_the_current_token_of_the_postgres_scope()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = PasswordRecordingServer.Start();
        var credential = new SequenceCredential("token-1");
        await using var dataSource = PostgresDataSources.Create(
            $"Host=127.0.0.1;Port={server.Port};Username=mirc-silo-id;Database=mirc;SSL Mode=Disable;Pooling=false;Timeout=5",
            credential, refreshInterval: TimeSpan.FromMilliseconds(200), retryInterval: TimeSpan.FromMilliseconds(100));

        Assert.Equal(["token-1"], await server.PasswordsOfNextLoginAsync(dataSource, ct));

        credential.Current = "token-2"; // Azure.Identity renewed the token
        var deadline = DateTime.UtcNow.AddSeconds(10);
        string password;
        do
        {
            await Task.Delay(100, ct);
            // Npgsql may retry a login once; the token may be renewed between the two tries: the later one counts.
            password = (await server.PasswordsOfNextLoginAsync(dataSource, ct))[^1];
        }
        while (password != "token-2" && DateTime.UtcNow < deadline);

        Assert.Equal("token-2", password);
        Assert.All(credential.Scopes, s => Assert.Equal(["https://ossrdbms-aad.database.windows.net/.default"], s));
    }

    [Fact]
    public async Task Password_authentication_sends_the_connection_string_password_and_asks_no_token()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = PasswordRecordingServer.Start();
        await using var dataSource = PostgresDataSources.Create(
            $"Host=127.0.0.1;Port={server.Port};Username=mirc;Password=from-the-secret;Database=mirc;SSL Mode=Disable;Pooling=false;Timeout=5",
            PostgresDataSources.CredentialFor(PostgresAuthentication.Password));
        Assert.Equal(["from-the-secret"], await server.PasswordsOfNextLoginAsync(dataSource, ct));
    }

    [Theory]
    [InlineData("Postgres", "Host=pg;Database=mirc;Username=mirc-silo-id", null)]
    [InlineData("Postgres", "Host=pg;Database=mirc;Username=mirc;Password=reused-admin-password", "must not carry a Password")]
    [InlineData("Postgres", "Host=pg;Database=mirc", "needs Username")]
    [InlineData("Sqlite", null, "needs Mirc:Index:Provider=Postgres")]
    public void Entra_id_settings_are_checked_at_start_up(string provider, string? connectionString, string? error)
    {
        var services = new ServiceCollection();
        services.AddQueryIndex(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Mirc:DataPath"] = "/tmp/unused",
            ["Mirc:Index:Provider"] = provider,
            ["Mirc:Index:ConnectionString"] = connectionString,
            ["Mirc:Index:PostgresAuthentication"] = "EntraId",
        }).Build());
        using var built = services.BuildServiceProvider();
        if (error is null)
        {
            Assert.Equal(PostgresAuthentication.EntraId, built.GetRequiredService<IOptions<QueryIndexOptions>>().Value.PostgresAuthentication);
        }
        else
        {
            var failure = Assert.Throws<OptionsValidationException>(() => built.GetRequiredService<IOptions<QueryIndexOptions>>().Value);
            Assert.Contains(error, failure.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void An_unknown_authentication_is_refused_by_name()
    {
        var failure = Assert.Throws<InvalidOperationException>(() => PostgresDataSources.Parse("ManagedIdentity"));
        Assert.Contains("Mirc:Index:PostgresAuthentication 'ManagedIdentity'", failure.Message, StringComparison.Ordinal);
        Assert.Equal(PostgresAuthentication.Password, PostgresDataSources.Parse(null));
        Assert.Equal(PostgresAuthentication.EntraId, PostgresDataSources.Parse("entraid"));
    }

    /// <summary>A TokenCredential whose token the test changes, recording the scopes asked.</summary>
    private sealed class SequenceCredential(string initial) : TokenCredential
    {
        private readonly List<string[]> _scopes = [];

        public volatile string Current = initial;

        public IReadOnlyList<string[]> Scopes
        {
            get
            {
                lock (_scopes)
                {
                    return [.. _scopes];
                }
            }
        }

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            lock (_scopes)
            {
                _scopes.Add(requestContext.Scopes);
            }

            return new AccessToken(Current, DateTimeOffset.UtcNow.AddHours(1));
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }

    /// <summary>
    /// Speaks the start of the PostgreSQL protocol (v3) on every connection: declines TLS, asks for a cleartext
    /// password, records it, then refuses the login (28P01) so the client gives up.
    /// </summary>
    private sealed class PasswordRecordingServer : IAsyncDisposable
    {
        private readonly TcpListener _listener;
        private readonly CancellationTokenSource _stop = new();
        private readonly List<string> _passwords = [];
        private readonly Task _loop;

        private PasswordRecordingServer(TcpListener listener)
        {
            _listener = listener;
            _loop = Task.Run(AcceptLoopAsync);
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public static PasswordRecordingServer Start()
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return new PasswordRecordingServer(listener);
        }

        /// <summary>Opens a connection (refused) and returns the distinct passwords its login sent, in order (Npgsql may try twice).</summary>
        public async Task<string[]> PasswordsOfNextLoginAsync(NpgsqlDataSource dataSource, CancellationToken ct)
        {
            lock (_passwords)
            {
                _passwords.Clear();
            }

            var refused = await Assert.ThrowsAsync<PostgresException>(async () => await dataSource.OpenConnectionAsync(ct));
            Assert.Equal("28P01", refused.SqlState);
            lock (_passwords)
            {
                return _passwords.Distinct().ToArray();
            }
        }

        private async Task AcceptLoopAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync(_stop.Token);
                }
                catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    return;
                }

                using (client)
                {
                    try
                    {
                        var password = await LoginAsync(client.GetStream(), _stop.Token);
                        lock (_passwords)
                        {
                            _passwords.Add(password);
                        }
                    }
                    catch (Exception ex) when (ex is IOException or EndOfStreamException or OperationCanceledException)
                    {
                        // The client gave up.
                    }
                }
            }
        }

        private static async Task<string> LoginAsync(NetworkStream stream, CancellationToken ct)
        {
            while (true)
            {
                var header = await ReadAsync(stream, 8, ct);
                var length = BinaryPrimitives.ReadInt32BigEndian(header);
                var code = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(4));
                if (code is 80877103 or 80877104) // SSLRequest, GSSENCRequest: not offered
                {
                    await stream.WriteAsync("N"u8.ToArray(), ct);
                    continue;
                }

                await ReadAsync(stream, length - 8, ct); // the rest of the startup message
                break;
            }

            await stream.WriteAsync(new byte[] { (byte)'R', 0, 0, 0, 8, 0, 0, 0, 3 }, ct); // AuthenticationCleartextPassword
            var type = await ReadAsync(stream, 5, ct);
            if (type[0] != (byte)'p')
            {
                throw new IOException($"expected a password message, got '{(char)type[0]}'");
            }

            var body = await ReadAsync(stream, BinaryPrimitives.ReadInt32BigEndian(type.AsSpan(1)) - 4, ct);
            var password = Encoding.UTF8.GetString(body, 0, Array.IndexOf(body, (byte)0));

            var fields = Encoding.UTF8.GetBytes("SFATAL\0VFATAL\0C28P01\0Mpassword authentication failed\0\0");
            var error = new byte[5 + fields.Length];
            error[0] = (byte)'E';
            BinaryPrimitives.WriteInt32BigEndian(error.AsSpan(1), 4 + fields.Length);
            fields.CopyTo(error, 5);
            await stream.WriteAsync(error, ct);
            return password;
        }

        private static async Task<byte[]> ReadAsync(NetworkStream stream, int count, CancellationToken ct)
        {
            var buffer = new byte[count];
            await stream.ReadExactlyAsync(buffer, ct);
            return buffer;
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _loop.WaitAsync(TimeSpan.FromSeconds(5));
            _listener.Dispose();
            _stop.Dispose();
        }
    }
}
