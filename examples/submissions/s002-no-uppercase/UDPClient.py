import sys
import time
from socket import *

serverName = 'server'
serverPort = 12000


def stamp(t):
    # human readable time with milliseconds
    return time.strftime('%d/%m/%Y %H:%M:%S', time.localtime(t)) + '.%03d' % (t % 1 * 1000)


clientSocket = socket(AF_INET, SOCK_DGRAM)
clientSocket.settimeout(2)
message = input('Input lowercase sentence:')

time1 = time.time()
try:
    clientSocket.sendto(message.encode(), (serverName, serverPort))
    modifiedMessage, serverAddress = clientSocket.recvfrom(65535)
except timeout:
    print('Request timed out: server did not answer in 2 s')
    sys.exit(1)
except OSError as e:
    print('Could not reach the server:', e)
    sys.exit(1)
time2 = time.time()

print()
print(modifiedMessage.decode())
print('Request sent at  ', stamp(time1))
print('Reply received at', stamp(time2))
print('RTT =', round(time2 - time1, 6), 'seconds')
clientSocket.close()
