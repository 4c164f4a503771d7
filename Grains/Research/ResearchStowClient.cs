using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mirc.Grains.Research;

/// <summary>
/// Pushes de-identified instances to a research PACS by STOW-RS (PS3.18 §10.5): one <c>multipart/related</c> request per
/// batch, tried again with a doubling pause on a 5xx answer, a timeout or a refused connection; the per-instance outcome
/// comes from the answer's Referenced / Failed SOP Sequences. Singleton, thread-safe; the credential goes in the
/// <c>Authorization</c> header only, never in a message.
/// </summary>
public sealed class ResearchStowClient(IOptions<ResearchOptions> options, ILogger<ResearchStowClient> logger) : IDisposable
{
    private const string ReferencedSopSequence = "00081199";
    private const string FailedSopSequence = "00081198";
    private const string ReferencedSopInstanceUid = "00081155";
    private const string FailureReason = "00081197";
    private readonly ResearchOptions _options = options.Value;
    private readonly HttpClient _http = new(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10), PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    /// <summary>
    /// Stores <paramref name="instances"/> at <paramref name="destination"/>; one error per instance in order (null: the
    /// PACS acknowledged it).
    /// </summary>
    /// <exception cref="ResearchDestinationUnavailableException">Every try failed with a 5xx, a timeout or no connection.</exception>
    /// <exception cref="ResearchDestinationRefusedException">The PACS refuses the credential or has no such endpoint.</exception>
    public async Task<IReadOnlyList<string?>> StoreAsync(string name, StowDestinationOptions destination, IReadOnlyList<StowInstance> instances, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(instances);
        var delay = TimeSpan.FromMilliseconds(_options.StowRetryDelayMilliseconds);
        for (var attempt = 1; ; attempt++)
        {
            string problem;
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(TimeSpan.FromSeconds(_options.StowTimeoutSeconds));
                using var request = Request(destination, instances);
                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
                var body = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
                var status = (int)response.StatusCode;
                if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed)
                    throw new ResearchDestinationRefusedException($"STOW-RS destination {name} answered {status} {response.ReasonPhrase}: check its Url and credential.");
                if (status < 500 && response.StatusCode is not HttpStatusCode.RequestTimeout and not HttpStatusCode.TooManyRequests)
                    return Outcomes(instances, response.StatusCode, body);
                problem = $"answered {status} {response.ReasonPhrase}";
            }
            catch (HttpRequestException ex)
            {
                problem = ex.Message;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                problem = $"no answer within {_options.StowTimeoutSeconds} s";
            }

            if (attempt >= _options.StowAttempts)
                throw new ResearchDestinationUnavailableException($"STOW-RS destination {name} unavailable after {attempt} tries: {problem}");
            ResearchLog.StowRetry(logger, name, attempt, problem, delay.TotalSeconds);
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            delay *= 2;
        }
    }

    private static HttpRequestMessage Request(StowDestinationOptions destination, IReadOnlyList<StowInstance> instances)
    {
        var content = new MultipartContent("related", "mirc-" + Guid.NewGuid().ToString("N"));
        content.Headers.ContentType!.Parameters.Add(new NameValueHeaderValue("type", "\"application/dicom\""));
        foreach (var instance in instances)
        {
            var part = new ByteArrayContent(instance.File);
            part.Headers.ContentType = new MediaTypeHeaderValue("application/dicom");
            content.Add(part);
        }

        var request = new HttpRequestMessage(HttpMethod.Post, destination.Url) { Content = content };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/dicom+json"));
        if (!string.IsNullOrEmpty(destination.BearerToken))
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", destination.BearerToken);
        else if (!string.IsNullOrEmpty(destination.Username))
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{destination.Username}:{destination.Password}")));
        return request;
    }

    // 200: all stored unless listed as failed; 202 / 4xx: stored only when referenced (PS3.18 Table 10.5.3-1).
    internal static string?[] Outcomes(IReadOnlyList<StowInstance> instances, HttpStatusCode status, string body)
    {
        var referenced = new HashSet<string>(StringComparer.Ordinal);
        var failed = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            if (body.Length > 0)
            {
                using var json = JsonDocument.Parse(body);
                var root = json.RootElement.ValueKind == JsonValueKind.Array && json.RootElement.GetArrayLength() > 0 ? json.RootElement[0] : json.RootElement;
                foreach (var item in Items(root, ReferencedSopSequence))
                    if (Text(item, ReferencedSopInstanceUid) is { } uid) referenced.Add(uid);
                foreach (var item in Items(root, FailedSopSequence))
                    if (Text(item, ReferencedSopInstanceUid) is { } uid) failed[uid] = Text(item, FailureReason) is { } reason ? $"failure reason {reason}" : "failed";
            }
        }
        catch (JsonException)
        {
            // Not a DICOM JSON answer: the status alone decides.
        }

        var code = (int)status;
        return [.. instances.Select(i =>
            failed.TryGetValue(i.SopInstanceUid, out var reason) ? $"{i.SopInstanceUid}: refused by the PACS ({reason}, HTTP {code})"
            : status == HttpStatusCode.OK || referenced.Contains(i.SopInstanceUid) ? null
            : $"{i.SopInstanceUid}: not acknowledged by the PACS (HTTP {code})")];
    }

    private static IEnumerable<JsonElement> Items(JsonElement dataset, string tag) =>
        dataset.ValueKind == JsonValueKind.Object && dataset.TryGetProperty(tag, out var attribute) && attribute.TryGetProperty("Value", out var value) && value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray()
            : [];

    private static string? Text(JsonElement dataset, string tag) =>
        Items(dataset, tag).FirstOrDefault() is { ValueKind: JsonValueKind.String or JsonValueKind.Number } v ? v.ToString() : null;

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();
}
