using System.Data.Common;

namespace Mirc.Grains.Indexing.Sql;

/// <summary>
/// The connection of one writer loop, kept open between its transactions together with its commands. Microsoft.Data.Sqlite
/// prepares a statement per command and finalizes it when the command or the connection is closed, so commands made
/// afresh for every transaction re-parse every statement (SQLite's parser was the largest share of its own CPU per
/// ingested instance); kept commands are prepared once. Used by one loop at a time (not thread-safe). Work runs through
/// <see cref="RunAsync{T}"/>: a failed transaction resets the connection, so the next one starts on a fresh one.
/// </summary>
internal sealed class WriterConnection(Func<CancellationToken, Task<DbConnection>> open) : IAsyncDisposable
{
    private readonly Dictionary<string, DbCommand> _commands = new(StringComparer.Ordinal);
    private DbConnection? _connection;
    private bool? _durable;

    /// <summary>The open connection (opened on first use, or after a reset); for a one-shot writer disposed after use.</summary>
    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        _connection ??= await open(cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Runs <paramref name="work"/> on the open connection (opened on first use, or after a reset). When it fails, the
    /// connection and its commands are dropped before the failure is rethrown: a broken connection or a half-finished
    /// transaction never carries over to the next run.
    /// </summary>
    public async Task<T> RunAsync<T>(Func<DbConnection, Task<T>> work, CancellationToken cancellationToken)
    {
        try
        {
            return await work(await OpenAsync(cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
        }
        catch
        {
            await ResetAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// The command of <paramref name="sql"/> on the open connection, enlisted in <paramref name="transaction"/>, with
    /// parameters named <paramref name="parameterNames"/> in that order (their values are those of its last use). The
    /// caller does not dispose it.
    /// </summary>
    public DbCommand Command(DbTransaction? transaction, string sql, params string[] parameterNames)
    {
        var connection = _connection ?? throw new InvalidOperationException("the writer connection is not open");
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = connection.CreateCommand();
            command.CommandText = sql;
            foreach (var name in parameterNames)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = name;
                command.Parameters.Add(parameter);
            }

            _commands.Add(sql, command);
        }

        command.Transaction = transaction;
        return command;
    }

    /// <summary>
    /// SQLite only: how the next transactions reach the device — <c>synchronous = FULL</c> when <paramref name="durable"/>
    /// (flushed before the commit returns), else NORMAL (WAL written, flushed later). Per connection and outside a
    /// transaction; sent only when it changes for this connection (a reopened one starts again from the open's FULL).
    /// </summary>
    public async Task SetSqliteSynchronousAsync(bool durable, CancellationToken cancellationToken)
    {
        await OpenAsync(cancellationToken).ConfigureAwait(false);
        if (_durable != durable)
        {
            await Command(null, durable ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL").ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            _durable = durable;
        }
    }

    /// <inheritdoc cref="RunAsync{T}"/>
    public Task RunAsync(Func<DbConnection, Task> work, CancellationToken cancellationToken) =>
        RunAsync(async connection =>
        {
            await work(connection).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    /// <summary>Closes the connection and drops its commands.</summary>
    private async ValueTask ResetAsync()
    {
        foreach (var command in _commands.Values)
        {
            await command.DisposeAsync().ConfigureAwait(false);
        }

        _commands.Clear();
        _durable = null;
        if (_connection is { } connection)
        {
            _connection = null;
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ResetAsync();
}
