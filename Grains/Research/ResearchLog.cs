using Microsoft.Extensions.Logging;

namespace Mirc.Grains.Research;

/// <summary>Source-generated log messages of research exports.</summary>
internal static partial class ResearchLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Research export {ExportId} of project {ProjectId}: {Total} instances of {Patients} patients ({Excluded} patients left out), from item {NextIndex}")]
    public static partial void Running(ILogger logger, string exportId, string projectId, int total, int patients, int excluded, int nextIndex);

    [LoggerMessage(Level = LogLevel.Information, Message = "Research export {ExportId} finished {Status}: {Exported} exported, {Excluded} excluded (burned-in), {Flagged} flagged, {Failed} failed in {Seconds:F1} s")]
    public static partial void Finished(ILogger logger, string exportId, string status, int exported, int excluded, int flagged, int failed, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Research export {ExportId}: instance {SopInstanceUid} failed")]
    public static partial void InstanceFailed(ILogger logger, Exception exception, string exportId, string sopInstanceUid);

    [LoggerMessage(Level = LogLevel.Error, Message = "Research export {ExportId} stopped")]
    public static partial void Stopped(ILogger logger, Exception exception, string exportId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Research export {ExportId}: its end could not be audited; it stays running and its next run finishes it")]
    public static partial void EndNotAudited(ILogger logger, Exception exception, string exportId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Research export {ExportId}: no reminder service, it resumes after a restart only when polled")]
    public static partial void NoReminder(ILogger logger, Exception exception, string exportId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "STOW-RS destination {Destination}: try {Attempt} failed ({Problem}), next in {Seconds:F1} s")]
    public static partial void StowRetry(ILogger logger, string destination, int attempt, string problem, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Research export {ExportId} waits for its destination ({Problem}); batch at item {NextIndex} retried in {Seconds} s")]
    public static partial void Waiting(ILogger logger, string exportId, string problem, int nextIndex, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Research export {ExportId}: its progress could not be saved; it resumes from the saved progress")]
    public static partial void ProgressNotSaved(ILogger logger, Exception exception, string exportId);
}
