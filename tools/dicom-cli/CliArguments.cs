namespace Mirc.DicomCli;

/// <summary>Hand-parsed command line: a verb, options with values, query keys and positional arguments.</summary>
internal sealed class CliArguments
{
    public required string Verb { get; init; }
    public string Host { get; private set; } = "127.0.0.1";
    public int Port { get; private set; } = 104;
    public string CallingAe { get; private set; } = "MIRC-SCU";
    public string CalledAe { get; private set; } = "ANY-SCP";
    public string Level { get; private set; } = "STUDY";
    public string Model { get; private set; } = "study";
    public string? Destination { get; private set; }
    public string OutputDirectory { get; private set; } = ".";
    public int TimeoutSeconds { get; private set; } = 60;
    public string? User { get; private set; }
    public string? Password { get; private set; }
    public int Count { get; private set; } = 300;
    public int Associations { get; private set; } = 4;
    public int Repeat { get; private set; } = 1;
    public uint? MaxPdu { get; private set; }
    public bool Tls { get; private set; }
    public string? TlsKey { get; private set; }
    public string? TlsCertificate { get; private set; }
    public string? TlsAuthorities { get; private set; }
    public List<(string Key, string Value)> Keys { get; } = [];
    public List<string> Paths { get; } = [];

    public static CliArguments Parse(string[] args)
    {
        if (args.Length == 0) throw new ArgumentException("missing command");
        var result = new CliArguments { Verb = args[0].ToLowerInvariant() };
        for (var i = 1; i < args.Length; i++)
        {
            var a = args[i];
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"option {a} needs a value");
            switch (a)
            {
                case "-h" or "--host": result.Host = Next(); break;
                case "-p" or "--port": result.Port = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
                case "-aet" or "--calling-ae": result.CallingAe = Next(); break;
                case "-aec" or "--called-ae": result.CalledAe = Next(); break;
                case "-L" or "--level": result.Level = Next().ToUpperInvariant(); break;
                case "-m" or "--model": result.Model = Next().ToLowerInvariant(); break;
                case "-aem" or "--dest": result.Destination = Next(); break;
                case "-od" or "--output": result.OutputDirectory = Next(); break;
                case "-t" or "--timeout": result.TimeoutSeconds = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
                case "-u" or "--user": result.User = Next(); break;
                case "-pw" or "--password": result.Password = Next(); break;
                case "-n" or "--count": result.Count = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
                case "--max-pdu": result.MaxPdu = uint.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
                case "-c" or "--associations": result.Associations = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
                case "-r" or "--repeat": result.Repeat = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
                // dcmtk's spelling: +tls KEY CERT (TLS with a client certificate), +tla (TLS without), +cf CA (trusted authorities)
                case "+tls" or "--enable-tls": result.Tls = true; result.TlsKey = Next(); result.TlsCertificate = Next(); break;
                case "+tla" or "--anonymous-tls": result.Tls = true; break;
                case "+cf" or "--add-cert-file": result.TlsAuthorities = Next(); break;
                case "-k" or "--key":
                    var kv = Next();
                    var eq = kv.IndexOf('=');
                    result.Keys.Add(eq < 0 ? (kv, "") : (kv[..eq], kv[(eq + 1)..]));
                    break;
                default:
                    if (a.StartsWith('-')) throw new ArgumentException($"unknown option {a}");
                    result.Paths.Add(a);
                    break;
            }
        }
        return result;
    }

    public const string Usage = """
        usage: mirc-dicom <echo|store|find|move|get|serve|bench-store|bench-get|bench-loopback|storage-classes> [options] [files/directories]
          serve: storage SCP on -h/-p writing to -od (discards without -od)
          bench-store: sends -n synthetic 512x512 16-bit CT slices (one new study) over -c associations, prints images/s
          bench-loopback: our server and client in one process, series from memory: network-layer ceiling (get, then store)
          storage-classes: prints the accepted storage SOP classes as Markdown tables (conformance statement)
          bench-get: C-GET of the -k keys (e.g. -k StudyInstanceUID=...), instances drained and discarded, prints images/s;
                     -r N repeats it N times on new associations
          -h, --host HOST          peer host (127.0.0.1)
          -p, --port PORT          peer port (104)
          -aet AE / -aec AE        calling / called AE title (MIRC-SCU / ANY-SCP)
          -u USER [-pw PASSWORD]   user identity (username / username+passcode)
          +tls KEY CERT            DICOM TLS (BCP 195: TLS 1.2/1.3) with this PEM client key and certificate
          +tla                     DICOM TLS without a client certificate
          +cf CA                   PEM file of the authorities the server certificate must chain to (else the system's)
          -m study|patient         query/retrieve information model (study)
          -L LEVEL                 query/retrieve level (STUDY)
          -k Keyword=Value         query / retrieve key, repeatable (e.g. -k PatientID=123 -k StudyDate)
          -aem AE                  C-MOVE destination
          -od DIR                  C-GET output directory (.)
          -t SECONDS               overall timeout (60)
          --max-pdu BYTES          maximum PDU length we receive (262144)
          -n COUNT / -c N          bench-store: instances (300) / parallel associations (4)
        """;
}
