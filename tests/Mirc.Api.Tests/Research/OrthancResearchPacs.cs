using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Mirc.Api.Tests.Research;

/// <summary>
/// Debian's Orthanc with its DICOMweb plugin as an independent research PACS: loopback ports, its own temporary folder,
/// HTTP basic authentication on (one user). A Lua filter slows each STOW-RS request by 0.3 s so a test can stop the PACS
/// while an export is under way. <see cref="StopAsync"/> kills it (an outage), <see cref="StartAsync()"/> brings it back on
/// the same ports and storage. Disposing stops the process it started and removes the folder.
/// </summary>
public sealed class OrthancResearchPacs : IAsyncDisposable
{
    private const string Executable = "/usr/sbin/Orthanc";
    private const string DicomWebPlugin = "/usr/share/orthanc/plugins/libOrthancDicomWeb.so";
    private readonly string _folder = Directory.CreateTempSubdirectory("mirc-research-orthanc-").FullName;
    private readonly int _httpPort = Mirc.Testing.LoopbackPorts.Next();
    private readonly int _dicomPort = Mirc.Testing.LoopbackPorts.Next();
    private readonly StringBuilder _log = new();
    private Process? _process;

    public OrthancResearchPacs()
    {
        Rest = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_httpPort}"), Timeout = TimeSpan.FromSeconds(30) };
        Rest.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Username}:{Password}")));
    }

    public string Username { get; } = "research";

    public string Password { get; } = "pw-" + Guid.NewGuid().ToString("N");

    /// <summary>Its STOW-RS endpoint.</summary>
    public Uri StowUrl => new($"http://127.0.0.1:{_httpPort}/dicom-web/studies");

    /// <summary>Its REST API, authenticated.</summary>
    public HttpClient Rest { get; }

    /// <summary>Starts Orthanc (first time or after <see cref="StopAsync"/>) and waits up to 30 s for its REST API.</summary>
    public async Task StartAsync()
    {
        if (!File.Exists(Executable) || !File.Exists(DicomWebPlugin))
            throw new InvalidOperationException($"Orthanc is not installed ({Executable}, {DicomWebPlugin}): apt-get install -y orthanc orthanc-dicomweb (./test.sh does).");
        var lua = Path.Combine(_folder, "slow-stow.lua");
        await File.WriteAllTextAsync(lua, """
            function IncomingHttpRequestFilter(method, uri, ip, username, httpHeaders)
              if method == 'POST' and string.sub(uri, 1, 11) == '/dicom-web/' then os.execute('sleep 0.3') end
              return true
            end
            """);
        var config = new JsonObject
        {
            ["Name"] = "mirc-research-pacs",
            ["StorageDirectory"] = Path.Combine(_folder, "storage"),
            ["IndexDirectory"] = Path.Combine(_folder, "index"),
            ["HttpPort"] = _httpPort,
            ["DicomPort"] = _dicomPort,
            ["RemoteAccessAllowed"] = false,
            ["AuthenticationEnabled"] = true,
            ["RegisteredUsers"] = new JsonObject { [Username] = Password },
            ["LuaScripts"] = new JsonArray(lua),
            ["Plugins"] = new JsonArray(DicomWebPlugin),
            ["DicomWeb"] = new JsonObject { ["Enable"] = true },
        };
        var configPath = Path.Combine(_folder, "orthanc.json");
        await File.WriteAllTextAsync(configPath, config.ToJsonString());
        var psi = new ProcessStartInfo(Executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(configPath);
        _process = Process.Start(psi)!;
        _process.OutputDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (_process.HasExited) throw new InvalidOperationException($"Orthanc exited with {_process.ExitCode}: {Log}");
            try
            {
                using var response = await Rest.GetAsync("/system");
                if (response.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Orthanc did not answer within 30 s: {Log}");
            await Task.Delay(100);
        }
    }

    /// <summary>Kills Orthanc (an outage: requests in flight are cut).</summary>
    public async Task StopAsync()
    {
        if (_process is null) return;
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        _process = null;
    }

    /// <summary>What Orthanc printed.</summary>
    public string Log { get { lock (_log) return _log.ToString(); } }

    /// <summary>Orthanc's ids of the instances whose Patient ID is <paramref name="patientId"/>.</summary>
    public async Task<string[]> InstancesOfPatientAsync(string patientId)
    {
        // Orthanc's names are case-sensitive: a JsonObject keeps them as written (an anonymous type would be camel-cased).
        var query = new JsonObject { ["Level"] = "Instance", ["Query"] = new JsonObject { ["PatientID"] = patientId } };
        using var response = await Rest.PostAsync("/tools/find", new StringContent(query.ToJsonString(), Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<string[]>())!;
    }

    /// <summary>The main tags of an instance, by keyword.</summary>
    public async Task<JsonObject> TagsAsync(string instance) => (await Rest.GetFromJsonAsync<JsonObject>($"/instances/{instance}/simplified-tags"))!;

    /// <summary>The stored file of an instance.</summary>
    public Task<byte[]> FileAsync(string instance) => Rest.GetByteArrayAsync($"/instances/{instance}/file");

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Rest.Dispose();
        try { Directory.Delete(_folder, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
