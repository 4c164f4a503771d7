using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mirc.Grains.Ingest;

/// <summary>Starts one <see cref="IngestReconciler"/> pass in the background when the silo becomes active (grains are callable then).</summary>
internal sealed partial class IngestReconciliationStartup : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    private readonly IngestReconciler _reconciler;
    private readonly IngestOptions _options;
    private readonly ILogger<IngestReconciliationStartup> _logger;
    private readonly CancellationTokenSource _stopping = new();

    public IngestReconciliationStartup(IngestReconciler reconciler, IOptions<IngestOptions> options, ILogger<IngestReconciliationStartup> logger)
    {
        _reconciler = reconciler;
        _options = options.Value;
        _logger = logger;
    }

    /// <summary>Completes when the start-up pass is over (for tests and health checks).</summary>
    public Task Completion { get; private set; } = Task.CompletedTask;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(IngestReconciliationStartup), ServiceLifecycleStage.Active, OnStartAsync, OnStopAsync);

    private Task OnStartAsync(CancellationToken cancellationToken)
    {
        if (_options.ReconcileOnStart)
        {
            Completion = Task.Run(RunAsync, CancellationToken.None);
        }

        return Task.CompletedTask;
    }

    private async Task OnStopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping: the next start-up runs the pass again.
        }
    }

    private async Task RunAsync()
    {
        try
        {
            await _reconciler.ReconcileAsync(_stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Silo stopping.
        }
        catch (Exception ex)
        {
            LogFailed(_logger, ex);
        }
    }

    public void Dispose() => _stopping.Dispose();

    [LoggerMessage(Level = LogLevel.Error, Message = "Ingest reconciliation at start-up failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
