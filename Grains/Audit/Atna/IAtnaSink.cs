using Mirc.Grains.Interfaces.Audit;

namespace Mirc.Grains.Audit.Atna;

/// <summary>Receives committed audit events for export to an ATNA audit repository.</summary>
public interface IAtnaSink
{
    /// <summary>Hands over committed events; returns at once and never throws for transport failures (logged): the trail itself is the record.</summary>
    ValueTask SendAsync(IReadOnlyList<AuditEvent> events, CancellationToken cancellationToken);
}
