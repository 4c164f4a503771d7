using Microsoft.Extensions.Logging;

namespace Mirc.Dicom.Network.Dimse;

/// <summary>Source-generated log messages of the DICOM network layer.</summary>
internal static partial class NetworkLog
{
    [LoggerMessage(EventId = 4100, Level = LogLevel.Warning, Message = "DICOM association {Association} aborted: {Reason}")]
    public static partial void AssociationAborted(ILogger logger, string association, string reason, Exception? exception);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "DICOM association {Association} accepted ({Accepted}/{Proposed} contexts)")]
    public static partial void AssociationAccepted(ILogger logger, string association, int accepted, int proposed);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Information, Message = "DICOM association {Association} rejected: {Rejection}")]
    public static partial void AssociationRejected(ILogger logger, string association, AssociationRejection rejection);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Debug, Message = "DICOM association {Association} released")]
    public static partial void AssociationReleased(ILogger logger, string association);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Error, Message = "DICOM association {Association}: operation {Command} failed")]
    public static partial void OperationFailed(ILogger logger, string association, string command, Exception exception);

    [LoggerMessage(EventId = 4105, Level = LogLevel.Information, Message = "DICOM server listening on {EndPoint}")]
    public static partial void Listening(ILogger logger, System.Net.EndPoint endPoint);

    [LoggerMessage(EventId = 4106, Level = LogLevel.Warning, Message = "DICOM connection from {Remote} failed before association: {Reason}")]
    public static partial void ConnectionFailed(ILogger logger, string remote, string reason, Exception? exception);

    [LoggerMessage(EventId = 4107, Level = LogLevel.Warning, Message = "DICOM association {Association}: unexpected response {Command} ignored")]
    public static partial void UnexpectedResponse(ILogger logger, string association, string command);

    [LoggerMessage(EventId = 4108, Level = LogLevel.Warning, Message = "DICOM C-MOVE/C-GET sub-operation for {SopInstanceUid} failed: {Reason}")]
    public static partial void SubOperationFailed(ILogger logger, string sopInstanceUid, string reason);

    [LoggerMessage(EventId = 4109, Level = LogLevel.Debug, Message = "DICOM connection from {Remote} closed at once: the address holds its connection cap")]
    public static partial void ConnectionRefused(ILogger logger, string remote);

    [LoggerMessage(EventId = 4110, Level = LogLevel.Debug, Message = "DICOM connection from {Remote} closed: no A-ASSOCIATE-RQ in time")]
    public static partial void AssociateRequestTimedOut(ILogger logger, string remote);

    [LoggerMessage(EventId = 4111, Level = LogLevel.Information, Message = "DICOM TLS handshake with {Remote} failed: {Reason}")]
    public static partial void TlsHandshakeFailed(ILogger logger, string remote, string reason);
}
