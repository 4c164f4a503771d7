using Mirc.Grains.Interfaces.Audit;

namespace Mirc.Grains.Audit;

/// <summary>An entry of the audit queue: an event to commit, or a flush marker completed once everything before it is durable.</summary>
internal readonly record struct AuditWorkItem(AuditEvent? Event, TaskCompletionSource? Flushed);
