using Mirc.Grains.Interfaces.Audit;

namespace Mirc.Grains.Audit;

/// <summary>An entry of the audit queue: an event (null for a flush marker) and what completes once it is durable.</summary>
internal readonly record struct AuditWorkItem(AuditEvent? Event, TaskCompletionSource Durable);
