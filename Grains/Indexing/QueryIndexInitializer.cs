using Microsoft.Extensions.Hosting;

namespace Mirc.Grains.Indexing;

/// <summary>Creates the index schema when the host starts, before the silo accepts work.</summary>
internal sealed class QueryIndexInitializer(IQueryIndex index) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => index.InitializeAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
