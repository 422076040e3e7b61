# Lab 3 - UDPClient.py (task 1: RTT)
import os
import sys
import time
from socket import *

serverName = os.getenv('SERVER_HOST', 'server')
serverPort = int(os.getenv('SERVER_PORT', '12000'))

clientSocket = socket(AF_INET, SOCK_DGRAM)
clientSocket.settimeout(2)
message = input('Input lowercase sentence: ')

sendTime = time.time()
try:
    clientSocket.sendto(message.encode(), (serverName, serverPort))
    modifiedMessage, serverAddress = clientSocket.recvfrom(65535)
except timeout:
    print('Error: request timed out after 2 s, no server?')
    sys.exit(1)
except OSError as e:
    print('Error:', e)
    sys.exit(1)
recvTime = time.time()

print()
print('Reply:', modifiedMessage.decode())
print('Request sent at:', time.ctime(sendTime))
print('Reply received at:', time.ctime(recvTime))
print('RTT: %.6f s' % (recvTime - sendTime))
clientSocket.close()
