# UDPClient.py - Lab 3, Task 1: UDP client that measures the application-level RTT.
import os
import sys
import time
from datetime import datetime
from socket import *

serverName = os.environ.get('SERVER_HOST', 'server')
serverPort = int(os.environ.get('SERVER_PORT', '12000'))

try:
    message = input('Input lowercase sentence: ')
except EOFError:
    sys.exit('Error: no sentence given on standard input')

try:
    serverIP = gethostbyname(serverName)  # look the name up before timing
except gaierror as e:
    sys.exit('Error: cannot find server %r: %s' % (serverName, e))

clientSocket = socket(AF_INET, SOCK_DGRAM)
clientSocket.settimeout(2)  # Task 4: never wait forever for a server that is not there

sentAt = datetime.now()
start = time.perf_counter()
try:
    clientSocket.sendto(message.encode(), (serverIP, serverPort))
    modifiedMessage, serverAddress = clientSocket.recvfrom(65535)
except timeout:
    sys.exit('Error: no reply from %s:%d within 2 seconds (is the server running?)'
             % (serverName, serverPort))
except OSError as e:
    sys.exit('Error: cannot reach %s:%d: %s' % (serverName, serverPort, e))
end = time.perf_counter()
receivedAt = datetime.now()
clientSocket.close()

print()
print('From Server:', modifiedMessage.decode(errors='replace'))
print('Request sent at', sentAt.strftime('%Y-%m-%d %H:%M:%S.%f'))
print('Reply received at', receivedAt.strftime('%Y-%m-%d %H:%M:%S.%f'))
print('RTT: %.3f ms' % ((end - start) * 1000))
