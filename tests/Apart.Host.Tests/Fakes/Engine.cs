using Apart.Abstractions;
using Apart.Compression.None;
using Apart.Host.Core;
using Apart.Host.Jobs;
using Apart.Host.Mounting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Apart.Host.Tests.Fakes;

/// <summary>
/// The core's job engine as the host assembles it, over fakes: an inventory, an imager and the
/// uncompressed codec, a transport in memory with a presenter connected. Images go to a
/// temporary directory; the journal lives there too.
/// </summary>
internal sealed class Engine : IAsyncDisposable
{
    private readonly ServiceProvider _provider;
    private readonly CancellationTokenSource _sending = new();
    private readonly Task _sender;

    /// <param name="options">How the core was started; a connect-mode core by default.</param>
    /// <param name="listAtStart">Whether the start-up lists the devices for a first <c>status: started</c>, as a connect-mode core does.</param>
    /// <param name="bySession">Leave the outbox's sending and the presenter's coming to a session under test.</param>
    public Engine(CoreOptions? options = null, bool listAtStart = false, bool bySession = false)
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("apart-engine-").FullName;
        Images = Path.Join(Directory, "images");
        System.IO.Directory.CreateDirectory(Images);
        Options = (options ?? new CoreOptions("ipc:///tmp/apart-engine-test.ipc", "/nonexistent/plugins", Path.Join(Directory, "state")))
            with { CacheDirectory = Path.Join(Directory, "cache") };

        var services = new ServiceCollection();
        CoreHost.AddCore(services, Options);
        services.AddSingleton<IDeviceInventory>(Inventory);
        services.AddSingleton<IImager>(Imager);
        services.AddSingleton<IDiskImager>(DiskImager);
        services.AddSingleton<ICompressor>(new UncompressedCompressor());
        services.AddSingleton<IRandomAccessCodec>(RandomAccess);
        services.AddSingleton<IImageReader>(Reader);
        services.AddSingleton<IImageMounts>(Mounts);
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddSingleton<ConnectSession>();
        services.AddSingleton<ServiceSession>();
        _provider = services.BuildServiceProvider();

        Startup.Begin(listAtStart, CancellationToken.None);
        if (bySession)
        {
            _sender = Task.CompletedTask;
            return;
        }

        Outbox.PresenterArrived(greetingFollows: false);
        _sender = Outbox.RunAsync(Transport, _sending.Token);
    }

    public string Directory { get; }

    /// <summary>Where clones are written.</summary>
    public string Images { get; }

    public CoreOptions Options { get; }

    public FakeInventory Inventory { get; } = new();

    public FakeImager Imager { get; } = new();

    public FakeDiskImager DiskImager { get; } = new();

    public FakeTransport Transport { get; } = new();

    public FakeRandomAccessCodec RandomAccess { get; } = new();

    public FakeImageReader Reader { get; } = new();

    public FakeImageMounts Mounts { get; } = new();

    public Outbox Outbox => Get<Outbox>();

    public Startup Startup => Get<Startup>();

    public RequestRouter Router => Get<RequestRouter>();

    public JobRegistry Jobs => Get<JobRegistry>();

    public T Get<T>()
        where T : notnull => _provider.GetRequiredService<T>();

    /// <summary>Routes a request as the session would; true for a kill-request.</summary>
    public bool Route(Protocol.Request request) => Router.Route(Protocol.ProtocolCodec.Encode(request));

    public async ValueTask DisposeAsync()
    {
        await Jobs.CancelAllAsync();
        await Router.StopAsync();
        await _sending.CancelAsync();
        await _sender;
        await _provider.DisposeAsync();
        _sending.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
