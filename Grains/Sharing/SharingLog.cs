using Microsoft.Extensions.Logging;

namespace Mirc.Grains.Sharing;

/// <summary>Source-generated log messages of the push worker.</summary>
internal static partial class SharingLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Share {ShareId}: pushing {Total} instances of study {StudyInstanceUid} to {RecipientAe} at {Host}:{Port}")]
    public static partial void PushStarted(ILogger logger, string shareId, int total, string studyInstanceUid, string recipientAe, string host, int port);

    [LoggerMessage(Level = LogLevel.Information, Message = "Share {ShareId} finished {Status}: {Completed} sent, {Failed} failed")]
    public static partial void PushFinished(ILogger logger, string shareId, string status, int completed, int failed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Share {ShareId} failed: {Error}")]
    public static partial void PushFailed(ILogger logger, Exception exception, string shareId, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Share {ShareId} could not be run; it stays pending and its reminder tries again")]
    public static partial void RunFailed(ILogger logger, Exception exception, string shareId);
}
