using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Mirc.Integration.Tests.Hosting;

namespace Mirc.Integration.Tests.Interop;

/// <summary>
/// Debian's Orthanc (/usr/sbin/Orthanc with the DICOMweb plugin) on loopback ports and a temporary folder: an independent
/// DICOM and DICOMweb client of the archive, driven through its REST API. Disposing stops the process it started.
/// </summary>
public sealed class OrthancPeer : IAsyncDisposable
{
    public const string Executable = "/usr/sbin/Orthanc";
    public const string DicomWebPlugin = "/usr/share/orthanc/plugins/libOrthancDicomWeb.so";
    public const string AeTitle = "ORTHANC";

    private readonly Process _process;
    private readonly TempDataFolder _folder;

    private readonly System.Text.StringBuilder _log;

    private OrthancPeer(Process process, int httpPort, int dicomPort, TempDataFolder folder, System.Text.StringBuilder log)
    {
        _process = process;
        _log = log;
        _folder = folder;
        DicomPort = dicomPort;
        Rest = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}"), Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <summary>Orthanc's REST API.</summary>
    public HttpClient Rest { get; }

    /// <summary>Orthanc's DICOM port (its SCP, the C-MOVE destination).</summary>
    public int DicomPort { get; }

    /// <summary>Ports Orthanc will listen on; known before it starts so the archive can register it as a move destination.</summary>
    public static (int Http, int Dicom) ReservePorts() => (FreePort.Next(), FreePort.Next());

    /// <summary>
    /// Starts Orthanc knowing the archive as DICOM modality <c>mirc</c> (AE MIRC) and DICOMweb server <c>mirc</c> with a
    /// bearer token in <c>HttpHeaders</c>; <paramref name="acceptedTransferSyntaxes"/> narrows what its SCP accepts
    /// (Orthanc's default: every syntax it knows).
    /// </summary>
    public static async Task<OrthancPeer> StartAsync((int Http, int Dicom) ports, int archiveDicomPort, Uri archiveDicomWeb, string bearerToken, CancellationToken ct,
        string aeTitle = AeTitle, IReadOnlyList<string>? acceptedTransferSyntaxes = null)
    {
        if (!File.Exists(Executable) || !File.Exists(DicomWebPlugin))
        {
            throw new InvalidOperationException($"Orthanc is not installed ({Executable}, {DicomWebPlugin}): apt-get install -y orthanc orthanc-dicomweb (./test.sh does).");
        }

        var folder = new TempDataFolder();
        var config = new JsonObject
        {
            ["Name"] = "mirc-interop",
            ["StorageDirectory"] = Path.Combine(folder.Path, "storage"),
            ["IndexDirectory"] = Path.Combine(folder.Path, "index"),
            ["HttpPort"] = ports.Http,
            ["DicomPort"] = ports.Dicom,
            ["DicomAet"] = aeTitle,
            ["RemoteAccessAllowed"] = false,
            ["AuthenticationEnabled"] = false,
            ["DicomScuTimeout"] = 20,
            ["HttpTimeout"] = 60,
            ["Plugins"] = new JsonArray(DicomWebPlugin),
            ["DicomModalities"] = new JsonObject { ["mirc"] = new JsonArray("MIRC", "127.0.0.1", archiveDicomPort) },
            ["DicomWeb"] = new JsonObject
            {
                ["Enable"] = true,
                ["Servers"] = new JsonObject
                {
                    ["mirc"] = new JsonObject
                    {
                        ["Url"] = archiveDicomWeb.ToString().TrimEnd('/') + "/",
                        ["HttpHeaders"] = new JsonObject { ["Authorization"] = "Bearer " + bearerToken },
                    },
                },
            },
        };
        if (acceptedTransferSyntaxes is not null)
        {
            config["AcceptedTransferSyntaxes"] = new JsonArray([.. acceptedTransferSyntaxes.Select(t => (JsonNode)JsonValue.Create(t))]);
        }

        var configPath = Path.Combine(folder.Path, "orthanc.json");
        await File.WriteAllTextAsync(configPath, config.ToJsonString(), ct);
        var psi = new ProcessStartInfo(Executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(configPath);
        var process = Process.Start(psi)!;
        var log = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var peer = new OrthancPeer(process, ports.Http, ports.Dicom, folder, log);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (process.HasExited)
            {
                await peer.DisposeAsync();
                throw new InvalidOperationException($"Orthanc exited with {process.ExitCode}: {log}");
            }

            try
            {
                if ((await peer.Rest.GetAsync("/system", ct)).IsSuccessStatusCode) return peer;
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            if (DateTime.UtcNow > deadline)
            {
                await peer.DisposeAsync();
                throw new TimeoutException($"Orthanc did not answer on its HTTP port within 30 s: {log}");
            }

            await Task.Delay(100, ct);
        }
    }

    /// <summary>Uploads a file (POST /instances); returns Orthanc's instance and study ids.</summary>
    public async Task<(string Instance, string Study)> UploadAsync(byte[] file, CancellationToken ct)
    {
        var response = await Rest.PostAsync("/instances", new ByteArrayContent(file), ct);
        var body = await ReadAsync(response, ct);
        return (body["ID"]!.GetValue<string>(), body["ParentStudy"]!.GetValue<string>());
    }

    /// <summary>POSTs JSON to the REST API and returns the JSON answer, failing with Orthanc's message on an error status.</summary>
    public async Task<JsonNode> PostAsync(string path, JsonNode body, CancellationToken ct) =>
        await ReadAsync(await Rest.PostAsJsonAsync(path, body, ct), ct);

    /// <summary>The stored file of an instance.</summary>
    public Task<byte[]> FileAsync(string instance, CancellationToken ct) => Rest.GetByteArrayAsync($"/instances/{instance}/file", ct);

    /// <summary>Study, series and SOP Instance UIDs of one of Orthanc's instances.</summary>
    public async Task<(string Study, string Series, string Sop)> UidsAsync(string instance, CancellationToken ct)
    {
        var tags = await Rest.GetFromJsonAsync<JsonObject>($"/instances/{instance}/simplified-tags", ct);
        return (tags!["StudyInstanceUID"]!.GetValue<string>(), tags["SeriesInstanceUID"]!.GetValue<string>(), tags["SOPInstanceUID"]!.GetValue<string>());
    }

    /// <summary>A JSON array of strings (Orthanc's "Resources").</summary>
    public static JsonArray Array(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode)JsonValue.Create(v))]);

    /// <summary>Ids of every instance Orthanc holds.</summary>
    public async Task<string[]> InstancesAsync(CancellationToken ct) =>
        (await Rest.GetFromJsonAsync<string[]>("/instances", ct))!;

    /// <summary>The last lines Orthanc wrote (its errors name what a failed REST call met).</summary>
    public string LogTail(int lines = 30)
    {
        lock (_log)
        {
            return string.Join('\n', _log.ToString().Split('\n').TakeLast(lines));
        }
    }

    private async Task<JsonNode> ReadAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var text = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"Orthanc {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.PathAndQuery}: {(int)response.StatusCode} {text}\nOrthanc's log, last lines:\n{LogTail()}");
        }

        return JsonNode.Parse(text.Length == 0 ? "{}" : text)!;
    }

    public async ValueTask DisposeAsync()
    {
        Rest.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        _folder.Dispose();
    }
}
