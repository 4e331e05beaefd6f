using Apart.Host.Logging;
using Microsoft.Extensions.Logging;

namespace Apart.Host.Tests.Logging;

public sealed class StandardErrorLoggerTests
{
    private static readonly FixedTime Time = new(new DateTimeOffset(2026, 12, 1, 15, 4, 5, 678, TimeSpan.Zero));

    [Fact]
    public void InteractiveLinesCarryTheTimeTheLevelTheCategoryAndTheEvent()
    {
        using var provider = new StandardErrorLoggerProvider(journal: false, Time);
        var line = provider.Format("Apart.Host.Core.CoreService", LogLevel.Warning, new EventId(7), "Detached /dev/loop3", null);
        Assert.Equal($"{Time.GetLocalNow():HH:mm:ss.fff} warn: Apart.Host.Core.CoreService[7] Detached /dev/loop3", line);
    }

    [Fact]
    public void JournalLinesStartWithTheSyslogPriority()
    {
        using var provider = new StandardErrorLoggerProvider(journal: true, Time);
        Assert.Equal("<6>Core[1] listening", provider.Format("Core", LogLevel.Information, new EventId(1), "listening", null));
        Assert.Equal("<3>Core[2] failed", provider.Format("Core", LogLevel.Error, new EventId(2), "failed", null));
        Assert.Equal("<4>Core[3] odd", provider.Format("Core", LogLevel.Warning, new EventId(3), "odd", null));
        Assert.Equal("<2>Core[4] dead", provider.Format("Core", LogLevel.Critical, new EventId(4), "dead", null));
    }

    [Fact]
    public void AMessageAndItsExceptionStayOnOneLine()
    {
        using var provider = new StandardErrorLoggerProvider(journal: true, Time);
        var line = provider.Format("Core", LogLevel.Critical, new EventId(9), "two\nlines", new InvalidOperationException("inner\r\nbreak"));
        Assert.DoesNotContain('\n', line);
        Assert.DoesNotContain('\r', line);
        Assert.StartsWith("<2>Core[9] two lines System.InvalidOperationException: inner break", line, StringComparison.Ordinal);
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
